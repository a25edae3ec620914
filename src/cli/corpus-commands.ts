// Commands that convert corpora which are fetched on demand rather than vendored.
import type { Command } from "./main.js";
import { fetchFreedict, freedictDir, FREEDICT_ENGLISH_TO, parseFreedictLangs } from "../data/corpora/freedict.js";
import { buildLibreOfficeHelp, libreOfficeHelpDir, LIBREOFFICE_HELP_LANGS, parseHelpLangs } from "../data/corpora/libreoffice-help.js";

export const corpusCommands: Record<string, Command> = {
  "corpus libreoffice-help": {
    summary: "Fetch the LibreOffice help packages (33 languages, MPL-2.0) and convert them to paragraph-parallel JSONL plus a manifest",
    usage: `xling corpus libreoffice-help --lang <all|${LIBREOFFICE_HELP_LANGS.slice(0, 4).join(",")},...> [--out data/libreoffice-help] [--cache dir] [--no-installed]`,
    options: {
      lang: { type: "string", description: "languages to convert: all, or a comma list of package codes" },
      out: { type: "string", description: "output directory for the JSONL files and manifest", defaultText: "data/libreoffice-help" },
      cache: { type: "string", description: "where downloaded .deb packages are kept", defaultText: "<out>/cache" },
      "no-installed": { type: "boolean", description: "download even when the help is installed on this system" },
    },
    async run({ values }) {
      if (typeof values.lang !== "string") throw new Error(`--lang is required: all, or a comma list of ${LIBREOFFICE_HELP_LANGS.join(", ")}`);
      const langs = parseHelpLangs(values.lang);
      const out = (values.out as string | undefined) ?? libreOfficeHelpDir();
      const started = Date.now();
      const stats = buildLibreOfficeHelp(langs, out, {
        cacheDir: values.cache as string | undefined,
        useInstalled: values["no-installed"] !== true,
        log: (m) => process.stderr.write(`libreoffice-help: ${m}\n`),
      });
      for (const s of stats)
        process.stderr.write(`${s.lang.padEnd(6)} ${String(s.paragraphs).padStart(7)} paragraphs ${String(s.chars).padStart(9)} chars ${String(s.tokens).padStart(8)} words ${String(s.untranslatedDropped).padStart(6)} untranslated dropped (${s.package} ${s.version})\n`);
      process.stderr.write(`${out} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      const by = (f: (s: (typeof stats)[number]) => number) => Object.fromEntries(stats.map((s) => [s.lang, f(s)]));
      process.stdout.write(JSON.stringify({
        languages: stats.length,
        paragraphs: by((s) => s.paragraphs),
        chars: by((s) => s.chars),
        untranslated_dropped: by((s) => s.untranslatedDropped),
      }) + "\n");
    },
  },
  "corpus freedict": {
    summary: "Fetch FreeDict English-X dictionaries (Debian dict-freedict-eng-*, dictd format) for realignment word pairs",
    usage: "xling corpus freedict --lang de,ru,el [--out data/freedict] [--cache dir] [--no-installed]",
    options: {
      lang: { type: "string", description: `comma list of language codes: ${Object.keys(FREEDICT_ENGLISH_TO).join(", ")}` },
      out: { type: "string", description: "output directory for the dictionaries", defaultText: "data/freedict" },
      cache: { type: "string", description: "where downloaded .deb packages are kept", defaultText: "<out>/cache" },
      "no-installed": { type: "boolean", description: "download even when the dictionary is installed on this system" },
    },
    run({ values }) {
      if (typeof values.lang !== "string") throw new Error(`--lang is required: a comma list of ${Object.keys(FREEDICT_ENGLISH_TO).join(", ")}`);
      const out = (values.out as string | undefined) ?? freedictDir();
      const infos = fetchFreedict(parseFreedictLangs(values.lang), out, {
        cacheDir: values.cache as string | undefined,
        useInstalled: values["no-installed"] !== true,
        log: (m) => process.stderr.write(`freedict: ${m}\n`),
      });
      process.stdout.write(JSON.stringify({ dir: out, dictionaries: infos }) + "\n");
      return Promise.resolve();
    },
  },
};
