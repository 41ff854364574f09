/** JSON renderer: exactly one compact document per line (JSON Lines for batches). */
import type { Report } from './model.js';

export function renderJson(r: Report): string {
  return `${JSON.stringify(r)}\n`;
}
