/** One request as IAM authorizes it: the action, the concrete resource ARN and the request context. */
export interface SimulatedRequest {
  action: string;
  resource: string;
  context: Record<string, string>;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface Evaluation {
  decision: Decision;
  /** 0-based indexes of the statements that allow the request. */
  allowedBy: number[];
  /** 0-based indexes of the statements that explicitly deny it. */
  deniedBy: number[];
}

export interface ValidationProblem {
  /** e.g. `Statement[1].Effect`. */
  path: string;
  message: string;
}

/** What the policy checks need from an IAM engine; `iam-simulate.policy-evaluator.ts` provides it. */
export interface PolicyEvaluator {
  /** Identity policy alone, same account, Strict mode: unknown context keys are absent, not guessed. */
  evaluate(policy: object, request: SimulatedRequest): Promise<Evaluation>;
  /** Syntax problems AWS would reject the policy for. */
  validate(policy: object): ValidationProblem[];
  /** Every action an action pattern (`s3:Get*`, `*`) stands for; empty when it names no real action. */
  expandAction(pattern: string): Promise<string[]>;
  /** Every action of a service (`s3`), for "did you mean"; empty for an unknown service. */
  actionsOfService(service: string): Promise<string[]>;
  /** False when the resource pattern can never be of a resource type the action applies to. */
  canApplyTo(action: string, resourcePattern: string): Promise<boolean>;
}
