/** Catalog: findings of area 'axl'. IDs are forever (report contract, "Finding IDs"). */
import { defineCatalog } from './types.js';

export const axlCatalog = defineCatalog({});
