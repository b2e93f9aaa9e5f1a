import { USER_SPECS } from '../../src/catalog/acl-users.ts';

/** The least a default scrape needs (what `redoubt harden` gives its exporter user; documented in the README). */
export const EXPORTER_ACL = USER_SPECS.exporter.commands.join(' ');
