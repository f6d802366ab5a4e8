"""manage.py fill N: N parts and what they refer to, deterministic, through
the ORM's bulk_create (as a real installation's data got there)."""
import datetime
import random
import uuid
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from inventory.models import Location, Part, Tag

NAMES = ["Würth screw M3×8", "Résistance 4,7 kΩ", "螺丝", "Ступица", "O'Brien \"bracket\"",
         "tab\there", "emoji 🔩", "line\nbreak", "", "plain"]


def jsonb_order(d):
    """PostgreSQL's jsonb keeps object keys shorter first, then bytewise; a
    dict written in that order reads back the same from either engine."""
    return dict(sorted(d.items(), key=lambda kv: (len(kv[0].encode()), kv[0].encode())))


def part_code(i):
    """Part i's UUID (none for every ninth): the tests compute it too."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "part/%d" % i) if i % 9 else None


class Command(BaseCommand):
    help = "fill the database with N deterministic parts"

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)
        parser.add_argument("--delete-last", type=int, default=0,
                            help="then delete the last K parts (sequences run ahead)")

    @transaction.atomic
    def handle(self, *args, n, delete_last, **options):
        rnd = random.Random(5)
        utc = datetime.timezone.utc
        users = User.objects.bulk_create(
            [User(username="user%d" % i, first_name=NAMES[i % len(NAMES)][:150],
                  email="u%d@example.org" % i, password="!", is_staff=i % 2 == 0,
                  date_joined=datetime.datetime(2020, 1, 1, 12, 0, i, tzinfo=utc))
             for i in range(10)])
        users = list(User.objects.order_by("id"))
        root = Location.objects.create(name="Lager", parent=None)
        locs = [root]
        for i in range(1, 30):
            locs.append(Location.objects.create(name="Regal %d" % i,
                                                parent=locs[rnd.randrange(len(locs))]))
        tags = Tag.objects.bulk_create([Tag(name="tag-%d-é" % i) for i in range(20)])
        tags = list(Tag.objects.order_by("id"))
        parts = []
        for i in range(n):
            created = datetime.datetime(2019, 1, 1, tzinfo=utc) + datetime.timedelta(
                seconds=rnd.randrange(200_000_000), microseconds=rnd.choice([0, 1, 500000, 123456]))
            parts.append(Part(
                name=NAMES[i % len(NAMES)] + " #%d" % i,
                description=("Beschreibung " * (i % 4)).strip(),
                price=Decimal(rnd.randrange(0, 10**10)) / Decimal(10000)
                if i % 7 else Decimal("0.1000"),
                active=i % 3 != 0,
                created=created,
                metadata=jsonb_order({"n": i, "ok": i % 2 == 0, "unit": "Stück",
                                      "dims": [1.5, i, None], "nested": {"a": "ü"}})
                if i % 5 else {},
                image=bytes(range(256))[: i % 257] if i % 4 else None,
                location=locs[i % len(locs)] if i % 6 else None,
                owner=users[i % len(users)] if i % 2 else None,
                code=part_code(i),
            ))
        for start in range(0, n, 5000):
            Part.objects.bulk_create(parts[start:start + 5000])
        ids = list(Part.objects.order_by("id").values_list("id", flat=True))
        # variants point at parts with higher and lower ids (child-first rows)
        Part.objects.bulk_update(
            [Part(id=pid, variant_of_id=ids[(k * 7 + 3) % len(ids)])
             for k, pid in enumerate(ids) if k % 10 == 0], ["variant_of"])
        through = Part.tags.through
        links = [through(part_id=pid, tag_id=tags[(k + j) % len(tags)].id)
                 for k, pid in enumerate(ids) for j in range(k % 3)]
        for start in range(0, len(links), 5000):
            through.objects.bulk_create(links[start:start + 5000])
        if delete_last:
            Part.objects.filter(id__in=ids[-delete_last:]).delete()
