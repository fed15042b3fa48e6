/** One numbered schema change: applied once, in id order, in its own transaction. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}
