// Whether this machine can draw Korean: without a CJK font the softphone and the passkey pages show
// Hangul as empty boxes. Asks fontconfig (`fc-list :lang=ko`), which browsers on Linux use too.
import { execFileSync } from 'node:child_process';

export const koreanFontHint = 'sudo apt-get install -y fonts-noto-cjk';

/** true: no Korean font; false: one is installed; undefined: cannot tell (no fc-list). */
export function koreanFontMissing(): boolean | undefined {
  try {
    return execFileSync('fc-list', [':lang=ko', 'family'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() === '';
  } catch {
    return undefined;
  }
}
