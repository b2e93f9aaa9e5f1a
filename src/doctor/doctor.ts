import type { Finding } from './finding.ts';
import type { DoctorPlan } from './plan.ts';
import { diagnoseRedis } from './redis-chain.ts';
import { diagnoseAlertmanagerAt, diagnoseExporter, diagnosePrometheus, diagnoseUp } from './stack-chain.ts';

/** Runs the plan in order: each Redis target's chain, then the exporter, Prometheus, Alertmanager and redoubt up. */
export async function runDiagnosis(plan: DoctorPlan): Promise<Finding[]> {
  const out: Finding[] = [...plan.upfront];
  for (const check of plan.redis) out.push(...(await diagnoseRedis(check)));
  if (plan.exporter) {
    // scheme://host:port of each target: what the exporter's /scrape takes (never a password).
    const targets = plan.redis.map((c) => c.target.display.replace(/\/\/[^@/]*@/, '//').replace(/\/\d+$/, ''));
    out.push(...(await diagnoseExporter(plan.exporter, plan.stepMs, targets)));
  }
  if (plan.prometheus) out.push(...(await diagnosePrometheus(plan.prometheus, plan.stepMs)));
  if (plan.alertmanager) out.push(...(await diagnoseAlertmanagerAt(plan.alertmanager, plan.stepMs)));
  if (plan.up) out.push(...(await diagnoseUp(plan.up, plan.stepMs)));
  return out;
}
