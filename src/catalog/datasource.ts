/**
 * The Prometheus datasource as Grafana provisioning creates it. The uid is fixed so the dashboard can name it
 * directly: no `${DS_…}` placeholder (provisioning never fills those in, grafana/grafana#10786) and no manual
 * "add data source" step. The stack generator writes the datasource YAML with these values.
 */
export const DATASOURCE_UID = 'prometheus';
export const DATASOURCE_TYPE = 'prometheus';

/** The reference every panel, query and variable of a generated dashboard carries. */
export const DATASOURCE_REF: Readonly<{ type: string; uid: string }> = { type: DATASOURCE_TYPE, uid: DATASOURCE_UID };
