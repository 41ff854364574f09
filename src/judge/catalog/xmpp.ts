/** Catalog: findings of area 'xmpp'. IDs are forever (report contract, "Finding IDs"). */
import { defineCatalog } from './types.js';

export const xmppCatalog = defineCatalog({});
