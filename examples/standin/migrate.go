package main

import (
	"io"
	"time"
)

// migrations are what `manage.py migrate` applies, spread evenly over
// STANDIN_MIGRATE_TIME.
var migrations = []string{
	"shop.0041_product_slug_unique",
	"shop.0042_add_order_index",
	"shop.0043_order_status_choices",
	"shop.0044_backfill_order_totals",
	"shop.0045_customer_loyalty_points",
}

// migrateTraceback is what Django prints when a migration dies on a lock:
// Docker's task error and `docker service logs` show its last line.
var migrateTraceback = []string{
	"Traceback (most recent call last):",
	`  File "/usr/local/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute`,
	"    return self.cursor.execute(sql, params)",
	`  File "/usr/local/lib/python3.12/site-packages/psycopg/cursor.py", line 732, in execute`,
	"    raise ex.with_traceback(None)",
	"psycopg.errors.LockNotAvailable: canceling statement due to lock timeout",
	"",
	"The above exception was the direct cause of the following exception:",
	"",
	"Traceback (most recent call last):",
	`  File "/app/manage.py", line 22, in <module>`,
	"    main()",
	`  File "/usr/local/lib/python3.12/site-packages/django/core/management/commands/migrate.py", line 357, in handle`,
	"    post_migrate_state = executor.migrate(",
	`  File "/usr/local/lib/python3.12/site-packages/django/db/migrations/executor.py", line 255, in apply_migration`,
	"    state = migration.apply(state, schema_editor)",
	`  File "/usr/local/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute`,
	"    return self.cursor.execute(sql, params)",
	"django.db.utils.OperationalError: canceling statement due to lock timeout",
}

// migrate is the one role that ends by itself: 0 once every migration is
// applied, 1 if STANDIN_FAIL_AFTER comes first (in either fail mode: a job
// has no health to lose). It serves no HTTP and keeps Go's default signal
// handling, so SIGTERM kills it as it would kill Python.
func migrate(cfg config, stdout, stderr io.Writer) int {
	out := newLogger(stdout, stderr)
	say := func(text string) {
		out.emit(1, func(b []byte, _ *gen) []byte { return append(b, text...) })
		out.flush()
	}
	say("standin version " + version + ": python manage.py migrate --noinput")
	say("Operations to perform:")
	say("  Apply all migrations: admin, auth, contenttypes, sessions, shop")
	say("Running migrations:")

	start := time.Now()
	step := cfg.migrateTime / time.Duration(len(migrations))
	var fail <-chan time.Time
	if cfg.failAfter >= 0 {
		fail = time.After(cfg.failAfter)
	}
	for i, name := range migrations {
		select {
		case <-time.After(time.Until(start.Add(step * time.Duration(i+1)))):
			say("  Applying " + name + "... OK")
		case <-fail:
			say("  Applying " + name + "...")
			for _, line := range migrateTraceback {
				out.toStderr(func(b []byte, _ *gen) []byte { return append(b, line...) })
			}
			return 1
		}
	}
	say("  No migrations left to apply.")
	return 0
}
