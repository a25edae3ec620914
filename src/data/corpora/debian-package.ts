// Debian packages as corpus sources: a package installed on this system, or one fetched
// with `apt-get download` into a cache and unpacked with `dpkg-deb -x` (no root needed,
// nothing installed). The LibreOffice help and the FreeDict dictionaries come this way.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Runs an apt/dpkg command; a missing tool or a failure is an error naming `what`. */
export function runDebianTool(command: string, args: string[], cwd: string | undefined, what: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.error !== undefined) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(`${what}: ${missing ? `"${command}" is not installed (Debian's apt and dpkg are needed)` : r.error.message}`);
  }
  if (r.status !== 0) throw new Error(`${what}: "${command} ${args.join(" ")}" failed with status ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`);
  return r.stdout;
}

/** The installed version of `pkg` as dpkg records it; "unknown" when dpkg does not know it. */
export function installedVersion(pkg: string): string {
  try {
    return runDebianTool("dpkg-query", ["-W", "-f=${Version}", pkg], undefined, pkg).trim() || "unknown";
  } catch {
    return "unknown"; // present on disk but not installed through dpkg
  }
}

export interface UnpackedPackage {
  debPath: string;
  version: string;
  /** The package's files, unpacked: <cacheDir>/trees/<pkg>_<version>/ */
  treeDir: string;
}

/**
 * `pkg` downloaded into <cacheDir>/debs (once; the .deb stays cached) and unpacked into
 * its tree unless `unpacked(treeDir)` says the tree already holds what is needed.
 */
export function downloadAndUnpack(pkg: string, cacheDir: string, unpacked: (treeDir: string) => boolean, log?: (msg: string) => void): UnpackedPackage {
  const debDir = join(cacheDir, "debs");
  mkdirSync(debDir, { recursive: true });
  const findDeb = () => readdirSync(debDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  let deb = findDeb();
  if (deb === undefined) {
    log?.(`downloading ${pkg}`);
    runDebianTool("apt-get", ["download", pkg], debDir, `downloading ${pkg} (run "apt-get update" first if the package is unknown)`);
    deb = findDeb();
    if (deb === undefined) throw new Error(`downloading ${pkg}: apt-get reported success but no ${pkg}_*.deb is in ${debDir}`);
  }
  const debPath = join(debDir, deb);
  const version = runDebianTool("dpkg-deb", ["-f", debPath, "Version"], undefined, debPath).trim();
  const treeDir = join(cacheDir, "trees", `${pkg}_${version.replace(/[^A-Za-z0-9.+~-]/g, "_")}`);
  if (!(existsSync(treeDir) && unpacked(treeDir))) {
    mkdirSync(treeDir, { recursive: true });
    runDebianTool("dpkg-deb", ["-x", debPath, treeDir], undefined, `extracting ${debPath}`);
  }
  return { debPath, version, treeDir };
}
