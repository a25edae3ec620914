// Decoding of the character references found in the HTML and OSIS sources.
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const REFERENCE = /&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g;

/** Replaces numeric references and the common named ones; unknown names stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(REFERENCE, (match, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return NAMED[name] ?? match;
  });
}
