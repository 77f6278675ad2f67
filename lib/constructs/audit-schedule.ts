/**
 * When the audit runs: a daily digest at a time and time zone the team chooses, and optionally a
 * faster sweep that only alerts on new critical or high findings (a leaked key costs thousands of
 * dollars a day; waiting for tomorrow's email is too slow for some teams).
 */
import { Duration, TimeZone } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Construct } from "constructs";

export interface AuditScheduleProps {
  function: IFunction;
  /** Daily run time, HH:MM, in `timeZone`. */
  dailyAt: string;
  /** IANA time zone such as Europe/Berlin. */
  timeZone: string;
  /** Minutes between sweeps; absent for no sweep. */
  sweepEveryMinutes?: number;
}

export class AuditSchedule extends Construct {
  readonly daily: Schedule;
  readonly sweep?: Schedule;

  constructor(scope: Construct, id: string, props: AuditScheduleProps) {
    super(scope, id);
    const [hour, minute] = props.dailyAt.split(":");
    this.daily = new Schedule(this, "Daily", {
      description: "Minewatch daily findings digest",
      schedule: ScheduleExpression.cron({ hour, minute, timeZone: TimeZone.of(props.timeZone) }),
      target: new LambdaInvoke(props.function, {
        input: ScheduleTargetInput.fromObject({ mode: "daily" }),
        // A transient failure is retried; a run that keeps failing trips the function's alarms.
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });
    if (props.sweepEveryMinutes !== undefined) {
      this.sweep = new Schedule(this, "Sweep", {
        description: "Minewatch sweep: alerts only on new critical or high findings",
        schedule: ScheduleExpression.rate(Duration.minutes(props.sweepEveryMinutes)),
        target: new LambdaInvoke(props.function, {
          input: ScheduleTargetInput.fromObject({ mode: "sweep" }),
          retryAttempts: 0,
          maxEventAge: Duration.minutes(Math.max(props.sweepEveryMinutes, 5)),
        }),
      });
    }
  }
}
