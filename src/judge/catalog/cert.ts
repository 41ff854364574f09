/** Catalog: findings of area 'cert'. IDs are forever (report contract, "Finding IDs"). */
import { defineCatalog } from './types.js';

export const certCatalog = defineCatalog({});
