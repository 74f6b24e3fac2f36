from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import User
from catalog.models import Track
from marketplace.models import Listing, Product
from rooms.models import Room
from search.models import EntityType
from search.services import MAX_ID, search_index_sync

SOURCES = {
    EntityType.USER: User,
    EntityType.ROOM: Room,
    EntityType.TRACK: Track,
    EntityType.PRODUCT: Product,
    EntityType.LISTING: Listing,
}
CHECKPOINT = "search-index-rebuild"


class Command(BaseCommand):
    help = (
        "Rebuild search_index from the entities, in batches with a progress bar. Each batch commits on its own "
        "and is recorded, so an interrupted rebuild continues with --resume. The index stays usable meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="Entities per transaction (default 2000).")
        parser.add_argument("--resume", action="store_true", help="Continue after the last batch of the last run.")
        parser.add_argument(
            "--type", dest="types", action="append", choices=list(SOURCES), help="Only this type (repeatable)."
        )

    def handle(self, *args, batch_size: int, resume: bool, types: list[str] | None, **options):
        if not 1 <= batch_size <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100000.")
        if resume and types:
            raise CommandError("--resume continues the interrupted run with its own types: leave out --type.")
        kinds = [kind for kind in SOURCES if not types or kind in types]
        checkpoint = cache.get(CHECKPOINT) if resume else None
        if resume and checkpoint is None:
            self.stdout.write("No interrupted rebuild to resume: rebuilding everything.")
        elif checkpoint is not None:
            kinds = checkpoint["kinds"][checkpoint["kinds"].index(checkpoint["kind"]) :]
        quiet = options["verbosity"] == 0
        self.stderr.ending = ""  # the progress bar redraws its line with \r
        for kind in kinds:
            after = checkpoint["after"] if checkpoint and checkpoint["kind"] == kind else 0
            self._rebuild(kind, kinds, after, batch_size, quiet)
        cache.delete(CHECKPOINT)
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt ({', '.join(kinds)})."))

    def _rebuild(self, kind: str, kinds: list[str], after: int, batch_size: int, quiet: bool) -> None:
        ids = SOURCES[kind].objects.order_by("pk").values_list("pk", flat=True)
        total, done = ids.count(), ids.filter(pk__lte=after).count()
        with tqdm(total=total, initial=done, desc=kind, unit=" rows", file=self.stderr, disable=quiet) as progress:
            while True:
                batch = list(ids.filter(pk__gt=after)[:batch_size])
                if not batch:  # index rows of entities deleted beyond the last id go too
                    search_index_sync(kind=kind, first_id=after + 1, last_id=MAX_ID)
                    return
                search_index_sync(kind=kind, first_id=after + 1, last_id=batch[-1])
                after = batch[-1]
                cache.set(CHECKPOINT, {"kinds": kinds, "kind": kind, "after": after}, timeout=None)
                progress.update(len(batch))
