/** Every check, RS001–RS056, gathered from the category files (one per catalogue category). The audit, the posture metrics and the alerts read this. */
import type { Check } from '../check.ts';
import { AUTHENTICATION_CHECKS } from './authentication.ts';
import { AUTHORIZATION_CHECKS } from './authorization.ts';
import { AVAILABILITY_CHECKS } from './availability.ts';
import { COMPROMISE_CHECKS } from './compromise.ts';
import { CONFIDENTIALITY_CHECKS } from './confidentiality.ts';
import { DATA_PROTECTION_CHECKS } from './data-protection.ts';
import { DETECTION_CHECKS } from './detection.ts';
import { ENCRYPTION_CHECKS } from './encryption.ts';
import { EXPOSURE_CHECKS } from './exposure.ts';
import { FILE_CHECKS } from './file.ts';
import { HARDENING_CHECKS } from './hardening.ts';
import { NETWORK_CHECKS } from './network.ts';
import { REPLICATION_CHECKS } from './replication.ts';
import { SENTINEL_CHECKS } from './sentinel.ts';
import { VULNERABILITY_CHECKS } from './vulnerability.ts';

export const ALL_CHECKS: readonly Check[] = [
  ...AUTHENTICATION_CHECKS,
  ...AUTHORIZATION_CHECKS,
  ...EXPOSURE_CHECKS,
  ...NETWORK_CHECKS,
  ...ENCRYPTION_CHECKS,
  ...HARDENING_CHECKS,
  ...AVAILABILITY_CHECKS,
  ...DETECTION_CHECKS,
  ...VULNERABILITY_CHECKS,
  ...COMPROMISE_CHECKS,
  ...REPLICATION_CHECKS,
  ...DATA_PROTECTION_CHECKS,
  ...FILE_CHECKS,
  ...SENTINEL_CHECKS,
  ...CONFIDENTIALITY_CHECKS,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
