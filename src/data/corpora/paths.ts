// Locates files that ship with xling (the vendored data/ folder) relative to the
// package itself, so loaders work whatever the current directory is.
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';

export { packageRoot };

/** Absolute path of a file or folder under the package's data/ folder. */
export function dataPath(...parts: string[]): string {
  return join(packageRoot(), 'data', ...parts);
}
