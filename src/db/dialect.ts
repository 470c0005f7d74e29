/** The catalog's two SQL dialects: SQLite (the embedded default) and PostgreSQL (scale-out). */
export type Dialect = 'sqlite' | 'postgres';
