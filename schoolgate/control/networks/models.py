# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""Subnets, static addresses, registered devices and live address assignments."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

FAILURE_CHOICES = [("closed", "closed"), ("open", "open")]
LEASE_SOURCES = [
    ("isc", "ISC dhcpd.leases"),
    ("kea", "Kea leases4.csv"),
    ("api", "authenticated API"),
    ("manual", "entered by hand"),
]


class Site(models.Model):
    name = models.CharField(max_length=120, unique=True)
    school = models.ForeignKey("people.Org", null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.name


class Subnet(models.Model):
    """A subnet and who is on it: the enforcement point's view of an unknown client."""

    name = models.CharField(max_length=120, blank=True)
    cidr = models.CharField(max_length=64, unique=True)
    school = models.ForeignKey("people.Org", null=True, blank=True, on_delete=models.SET_NULL)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)
    roles = models.JSONField(default=list, blank=True)
    groups = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=8, choices=FAILURE_CHOICES, default="closed")

    def __str__(self) -> str:
        return self.name or self.cidr


class StaticAddress(models.Model):
    """An address always used by one person or device (a teacher's desktop, a printer)."""

    address = models.GenericIPAddressField(unique=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL)
    description = models.CharField(max_length=200, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)
    roles = models.JSONField(default=list, blank=True)
    groups = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "static addresses"


class Device(models.Model):
    """A registered device: its hardware address tells whose a DHCP lease is."""

    mac = models.CharField(max_length=17, unique=True, help_text="aa:bb:cc:dd:ee:ff")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )
    description = models.CharField(max_length=200, blank=True)
    personal = models.BooleanField(default=False)
    registered_at = models.DateTimeField(auto_now_add=True)


class AddressAssignment(models.Model):
    """Who is behind an address now, until `expires_at`. One row per address; a newer lease or
    sign-in replaces it. A lease from an unregistered device is kept with no person, for alerts."""

    address = models.GenericIPAddressField(unique=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    mac = models.CharField(max_length=17, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=8, choices=LEASE_SOURCES)
    starts_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["person", "expires_at"])]
