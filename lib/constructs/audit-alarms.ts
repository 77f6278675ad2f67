/**
 * Alarms that make a failed audit loud: errors, throttles, runs close to the timeout, and a
 * missing daily run. Each notifies the findings topic, so a broken Minewatch never looks like a
 * quiet day.
 */
import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";

export interface AuditAlarmsProps {
  function: IFunction;
  topic: ITopic;
  /** The function's timeout: a run taking 80 % of it is about to be cut off. */
  timeout: Duration;
}

export class AuditAlarms extends Construct {
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: AuditAlarmsProps) {
    super(scope, id);
    const fn = props.function;
    const action: IAlarmAction = new SnsAction(props.topic);
    const fiveMinutes = Duration.minutes(5);
    /** Alarms when a five-minute sum of `metric` reaches one. */
    const onAny = (id: string, alarmDescription: string, metric: IMetric) =>
      new Alarm(this, id, {
        alarmDescription,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      onAny(
        "Errors",
        "Minewatch audit failed: this run's findings were NOT delivered. Check the function's logs.",
        fn.metricErrors({ period: fiveMinutes, statistic: "Sum" }),
      ),
      onAny(
        "Throttles",
        "Minewatch audit was throttled by Lambda: a scheduled run may not have happened.",
        fn.metricThrottles({ period: fiveMinutes, statistic: "Sum" }),
      ),
      new Alarm(this, "NearTimeout", {
        alarmDescription: "A Minewatch audit ran for over 80 % of its timeout: the next one may be cut off.",
        metric: fn.metricDuration({ period: fiveMinutes, statistic: "Maximum" }),
        threshold: props.timeout.toMilliseconds() * 0.8,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      // The heartbeat: no invocation for a day means the schedule itself is broken.
      new Alarm(this, "NoRun", {
        alarmDescription: "Minewatch has not run for over a day: the daily audit schedule is not firing.",
        // 24 empty hours in a row (CloudWatch caps period x evaluation periods at one day).
        metric: fn.metricInvocations({ period: Duration.hours(1), statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 24,
        datapointsToAlarm: 24,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
    for (const alarm of this.alarms) alarm.addAlarmAction(action);
  }
}
