/** What `switchyard doctor` learns from a database without changing it. */
export interface DatabaseReport {
  dialect: "sqlite" | "postgres";
  reachable: boolean;
  error?: string;
  applied: number[];
  latest: number;
  /** The database's clock (epoch ms), where it has one to compare against. */
  databaseNow?: number;
}
