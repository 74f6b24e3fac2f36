from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations(database: str = DEFAULT_DB_ALIAS) -> list:
    """The migrations ``migrate`` would apply to ``database`` (none on a checkout already set up)."""
    executor = MigrationExecutor(connections[database])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


class Command(BaseCommand):
    help = (
        "Get this checkout's database ready for `make run`, in one process: apply the migrations (when some "
        "are not), create the direct messages' partitions for this month and the next three, and load the "
        "demo data (idempotent)."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if unapplied_migrations():
            call_command("migrate", interactive=False, verbosity=verbosity, stdout=self.stdout)
        call_command("create_message_partitions", months=3, verbosity=verbosity, stdout=self.stdout)
        call_command("seed_demo", verbosity=verbosity, stdout=self.stdout)
