import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  name?: string;
  version?: string;
}

let found: { root: string; pkg: PackageJson } | undefined;

/**
 * Herald's package folder (where package.json, web/ and node_modules/ are), found by walking up
 * from this module, so it is the same whether the sources run directly or bundled into dist/.
 */
function locate(): { root: string; pkg: PackageJson } {
  if (found) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
        if (pkg.name === 'herald') {
          found = { root: dir, pkg };
          return found;
        }
      } catch {
        // Not a readable package.json; keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Herald’s package.json was not found above its code');
    dir = parent;
  }
}

export function packageRoot(): string {
  return locate().root;
}

/** Herald's version from its package.json. */
export function heraldVersion(): string {
  try {
    return locate().pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
