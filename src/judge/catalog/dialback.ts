/** Catalog: findings of area 'dialback'. IDs are forever (report contract, "Finding IDs"). */
import { defineCatalog } from './types.js';

export const dialbackCatalog = defineCatalog({});
