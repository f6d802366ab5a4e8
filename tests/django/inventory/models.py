"""Models covering what an InvenTree database holds: a tree (self-reference),
a user reference, a many-to-many, decimals, aware timestamps, JSON, bytes,
booleans, non-ASCII text, UUIDs, and a model nobody fills."""
from django.conf import settings
from django.db import models


class Location(models.Model):
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        # dumpdata lists a part's tags in this order; without one, the order
        # is whatever plan the engine picks, and differs between engines
        ordering = ["id"]


class Part(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=4)
    active = models.BooleanField(default=True)
    created = models.DateTimeField()
    metadata = models.JSONField(default=dict)
    image = models.BinaryField(null=True)
    location = models.ForeignKey(Location, null=True, on_delete=models.SET_NULL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    variant_of = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True)
    # char(32), hex without dashes, on SQLite and MySQL; uuid on PostgreSQL
    code = models.UUIDField(null=True)


class StockNote(models.Model):
    """Never filled: an empty table goes across too."""
    part = models.ForeignKey(Part, on_delete=models.CASCADE)
    note = models.TextField()
