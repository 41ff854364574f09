/** Catalog: findings of area 'tls'. IDs are forever (report contract, "Finding IDs"). */
import { defineCatalog } from './types.js';

export const tlsCatalog = defineCatalog({});
