/**
 * One SQLite database file, opened with what this Node.js has: `node:sqlite` (built in from Node 22.5; behind a
 * flag before 22.13, where the require fails and the next one is tried), else `better-sqlite3`, an optional
 * dependency whose native build may have failed or been refused at install: then nothing opens and the caller
 * sends from memory. Both are synchronous and share the small surface used here.
 */

export interface SqlStatement {
    run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
}

export interface SqlDatabase {
    /** Which binding opened it: "node:sqlite" or "better-sqlite3". */
    readonly driver: string;
    exec(sql: string): void;
    prepare(sql: string): SqlStatement;
    close(): void;
}

type Opener = (file: string) => SqlDatabase;

/* eslint-disable @typescript-eslint/no-require-imports -- both bindings are optional: looked up at run time */
function nodeSqlite(file: string): SqlDatabase {
    const { DatabaseSync } = require("node:sqlite") as { DatabaseSync: new (file: string) => Omit<SqlDatabase, "driver"> };
    const db = new DatabaseSync(file);
    return { driver: "node:sqlite", exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), close: () => db.close() };
}

function betterSqlite3(file: string): SqlDatabase {
    const Database = require("better-sqlite3") as new (file: string) => Omit<SqlDatabase, "driver">;
    const db = new Database(file);
    return { driver: "better-sqlite3", exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), close: () => db.close() };
}

/** In order of preference; TWILIO_OUTBOX_SQLITE=better-sqlite3 (or node:sqlite, or none) picks one (tests, benchmarks). */
const OPENERS: Record<string, Opener> = { "node:sqlite": nodeSqlite, "better-sqlite3": betterSqlite3 };

/**
 * Opens (creating it if needed) the database file. Throws an Error listing why each binding failed when none
 * could open it.
 */
export function openDatabase(file: string, only = process.env.TWILIO_OUTBOX_SQLITE): SqlDatabase {
    const reasons: string[] = [];
    for (const [name, open] of Object.entries(OPENERS)) {
        if (only && only !== name) continue;
        try {
            return open(file);
        } catch (err) {
            reasons.push(`${name}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
        }
    }
    throw new Error(reasons.length > 0 ? reasons.join("; ") : `no SQLite binding named ${only}`);
}
