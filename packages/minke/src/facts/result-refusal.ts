/** Why a result was refused; the code is the `reason` label of the refusal metric. */
export interface ResultRefusal {
  resultId: string;
  node: string;
  code: RefusalCode;
  /** One line for logs, the agent and the agents page; never the result's content. */
  message: string;
}

export type RefusalCode =
  'unknown-request' | 'not-addressed' | 'wrong-plugin' | 'too-large' | 'rate-limited';
