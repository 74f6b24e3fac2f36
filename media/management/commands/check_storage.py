import json

from django.core.management.base import BaseCommand, CommandError

from media import orphans


class Command(BaseCommand):
    help = (
        "List the files rows (and their tracks) whose stored object is missing, unreadable or of another size "
        "than the row says. Exits with status 1 when there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print one JSON report instead of a table."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=orphans.BATCH,
            metavar="ROWS",
            help=f"Rows read per query (default {orphans.BATCH}).",
        )

    def handle(self, *args, as_json: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        broken = list(orphans.broken_files(batch=batch_size))
        if as_json:
            self._json(broken)
        else:
            self._table(broken)
        if broken:
            raise CommandError(f"{len(broken)} stored object(s) cannot be served.", returncode=1)

    def _json(self, broken):
        report = {
            "broken": [
                {
                    "file_id": row.file_id,
                    "path": row.path,
                    "size": row.size,
                    "problem": row.problem,
                    "detail": row.detail,
                    "track_ids": list(row.track_ids),
                }
                for row in broken
            ]
        }
        self.stdout.write(json.dumps(report, indent=2))

    def _table(self, broken):
        if not broken:
            self.stdout.write(self.style.SUCCESS("Every files row has its stored object."))
            return
        header = ("file", "problem", "tracks", "path", "detail")
        lines = [
            (str(row.file_id), row.problem, ",".join(map(str, row.track_ids)) or "-", row.path, row.detail)
            for row in broken
        ]
        widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
        for line in [header, *lines]:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
