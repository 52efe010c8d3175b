/**
 * Recognises a container that runs Django migrations: `python manage.py migrate`, `django-admin migrate`,
 * `python -m django migrate`, also inside `sh -c "…"` strings and with options before the subcommand.
 * `makemigrations` / `showmigrations` do not touch the storage backends' credentials the same way and
 * are not matched.
 */

// Up to four option tokens may sit between the entry point and `migrate`, never across a shell separator.
const MIGRATE = /(?:manage\.py|django-admin(?:\.py)?|-m\s+django)(?:\s+[^\s;&|]+){0,4}?\s+migrate(?![\w-])/;

export function runsMigrations(command: readonly string[], args: readonly string[]): boolean {
  return MIGRATE.test([...command, ...args].join(" "));
}
