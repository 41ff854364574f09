/** Catalog: findings of area 'dns'. IDs are forever (report contract, "Finding IDs"). */
import { defineCatalog } from './types.js';

export const dnsCatalog = defineCatalog({});
