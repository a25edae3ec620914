// The LibreOffice help fixture: real pages of the Debian bookworm packages (see its README
// for the licence), laid out as an installed help tree.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildLibreOfficeHelp } from "../../src/data/corpora/libreoffice-help.js";

export const HELP_FIXTURE = fileURLToPath(new URL("../../../test/fixtures/libreoffice-help/", import.meta.url));

/** Converts the fixture tree into a fresh directory, as if the fixture languages were installed. */
export function convertFixture(langs: string[]): string {
  const out = mkdtempSync(join(tmpdir(), "xling-lohelp-"));
  buildLibreOfficeHelp(langs, out, { installedDir: HELP_FIXTURE, cacheDir: join(out, "cache") });
  return out;
}
