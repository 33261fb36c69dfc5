"""The `kakehashi` command. Most subcommands are Django management commands of the same name.

`--data-dir DIR` may appear anywhere; it sets KAKEHASHI_DATA_DIR before settings load.
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: kakehashi COMMAND [options]

  up [--demo] [--port 8000] [--data-dir DIR] [--no-browser]
                       first run: data dir, secret key, database, admin; then web + worker
  serve [--port 8000]  the web app under gunicorn (WSGI)
  worker               the background worker (huey)
  migrate              apply database migrations
  createadmin          create an admin user (prints a generated password once)
  token create --email E [--json]
                       a personal API token, printed once
  demo --leads N [--activities-per-lead M]
                       load a realistic bilingual demo data set
  import FILE [--mapping auto|NAME|map.json] [--dry-run] [--json]
                       import leads from CSV (UTF-8, CP932, UTF-16) or XLSX
  dedupe [--json]      find likely duplicate leads for the review queue
  score recompute|train
                       rescore every lead; train the likelihood-to-close model
  source create NAME [--origin URL] [--json]
                       a web tracking source and its write key
  bench SCENARIO       benchmarks with a same-run baseline: lead-list, import, ingest,
                       scoring, handoff, forms (kakehashi bench --help)
  check                Django's deployment checks with the production settings
  django ...           any Django management command

Environment: KAKEHASHI_DATA_DIR, KAKEHASHI_DATABASE_URL, KAKEHASHI_REDIS_URL, … (.env.example)
"""


def _take_data_dir(argv: list[str]) -> list[str]:
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--data-dir" and i + 1 < len(argv):
            os.environ["KAKEHASHI_DATA_DIR"] = os.path.abspath(os.path.expanduser(argv[i + 1]))
            i += 2
            continue
        if arg.startswith("--data-dir="):
            value = arg.split("=", 1)[1]
            os.environ["KAKEHASHI_DATA_DIR"] = os.path.abspath(os.path.expanduser(value))
        else:
            rest.append(arg)
        i += 1
    return rest


def main(argv: list[str] | None = None) -> int:
    args = _take_data_dir(list(sys.argv[1:] if argv is None else argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings")
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "check":
        # The deployment checks judge the settings production runs with: HTTPS on.
        os.environ.setdefault("KAKEHASHI_HTTPS", "true")
        os.environ["KAKEHASHI_DEBUG"] = "false"
        argv_django = ["kakehashi", "check", "--deploy", "--fail-level", "WARNING", *rest]
    elif command == "django":
        argv_django = ["kakehashi django", *rest]
    else:
        argv_django = ["kakehashi", command, *rest]

    from kakehashi.lib.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv_django)
    except ConfigError as exc:
        print(f"kakehashi: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
