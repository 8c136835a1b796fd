import { SqliteSession, sqlText } from './sqlite-session.js';

/**
 * The leader lease as a database row, the way a deployment without a coordination service
 * elects one scheduler: a row names the holder and when its lease expires; a worker takes the
 * row when it is free or expired, and its holder extends it before it expires. One UPDATE does
 * the compare-and-set, so SQLite's write lock makes it atomic across processes.
 *
 *   lease(name TEXT PRIMARY KEY, holder TEXT, expires_us INTEGER)
 *
 * Expiry is compared on the machine's monotonic clock (microseconds), which every process on one
 * machine shares; a deployment across machines would use the database server's clock instead.
 */

export const LEASE_NAME = 'scheduler';

export interface LeaseRow {
  holder: string;
  expiresUs: number;
}

export class LeaseStore {
  private readonly session: SqliteSession;
  private readonly ready: Promise<unknown>;

  constructor(path: string) {
    this.session = new SqliteSession(path);
    this.ready = this.session.query(
      `CREATE TABLE IF NOT EXISTS lease(name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_us INTEGER NOT NULL);
INSERT OR IGNORE INTO lease(name, holder, expires_us) VALUES (${sqlText(LEASE_NAME)}, '', 0);`,
    );
  }

  /**
   * Takes the lease, or renews it when `holder` has it, unless another holder's lease is still
   * running at `nowUs`. Resolves true when `holder` now holds it until nowUs + leaseUs.
   */
  async acquire(holder: string, nowUs: number, leaseUs: number): Promise<boolean> {
    await this.ready;
    const now = Math.floor(nowUs);
    const lines = await this.session.query(
      `UPDATE lease SET holder = ${sqlText(holder)}, expires_us = ${now + Math.floor(leaseUs)}
  WHERE name = ${sqlText(LEASE_NAME)} AND (holder = ${sqlText(holder)} OR expires_us <= ${now})
  RETURNING holder;`,
    );
    return lines.includes(holder);
  }

  /** The row as it stands. */
  async read(): Promise<LeaseRow> {
    await this.ready;
    const lines = await this.session.query(
      `SELECT holder || '|' || expires_us FROM lease WHERE name = ${sqlText(LEASE_NAME)};`,
    );
    const [holder = '', expires = '0'] = (lines[0] ?? '|0').split('|');
    return { holder, expiresUs: Number(expires) };
  }

  close(): void {
    this.session.close();
  }
}
