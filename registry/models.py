"""Provinces, counties, people and sites (the four kinds in one table)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TimestampMixin, VersionMixin, enum_type, utcnow
from core.persian import normalize_for_search


def county_key(name: str | None) -> str:
    """County names match whether their parts are joined by ZWNJ, a space or nothing."""
    return normalize_for_search(name).replace(" ", "")


class SiteKind(StrEnum):
    COUNTER_OFFICE = "counter_office"
    RURAL_ICT_OFFICE = "rural_ict_office"
    ATM = "atm"
    BANK_KIOSK = "bank_kiosk"

    @property
    def label(self) -> str:
        return {
            "counter_office": "دفتر پیشخوان خدمات دولت",
            "rural_ict_office": "دفتر ICT روستایی",
            "atm": "دستگاه خودپرداز (ATM)",
            "bank_kiosk": "باجه بانکی",
        }[self.value]

    @property
    def plural_label(self) -> str:
        return {
            "counter_office": "دفاتر پیشخوان خدمات دولت",
            "rural_ict_office": "دفاتر ICT روستایی",
            "atm": "دستگاه‌های خودپرداز",
            "bank_kiosk": "باجه‌های بانکی",
        }[self.value]

    @property
    def is_office(self) -> bool:
        return self in (SiteKind.COUNTER_OFFICE, SiteKind.RURAL_ICT_OFFICE)


OFFICE_KINDS = (SiteKind.COUNTER_OFFICE, SiteKind.RURAL_ICT_OFFICE)
BANK_KINDS = (SiteKind.ATM, SiteKind.BANK_KIOSK)


class SiteStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"active": "فعال", "suspended": "تعلیق", "revoked": "لغو شده", "closed": "تعطیل"}[self.value]

    @property
    def badge(self) -> str:
        return {
            "active": "success",
            "suspended": "warning",
            "revoked": "danger",
            "closed": "secondary",
        }[self.value]


class LocalityType(StrEnum):
    CITY = "city"
    VILLAGE = "village"

    @property
    def label(self) -> str:
        return {"city": "شهر", "village": "روستا"}[self.value]


class Education(StrEnum):
    BELOW_DIPLOMA = "below_diploma"
    DIPLOMA = "diploma"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"

    @property
    def label(self) -> str:
        return {
            "below_diploma": "زیر دیپلم",
            "diploma": "دیپلم",
            "associate": "کاردانی",
            "bachelor": "کارشناسی",
            "master": "کارشناسی ارشد",
            "doctorate": "دکتری",
        }[self.value]


class Province(Base):
    __tablename__ = "provinces"
    __label__ = "استان"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    population: Mapped[int | None]
    census_year: Mapped[int | None]

    counties: Mapped[list[County]] = relationship(back_populates="province")

    def __repr__(self) -> str:
        return f"<Province {self.code}>"


class County(Base):
    """شهرستان"""

    __tablename__ = "counties"
    __label__ = "شهرستان"
    __table_args__ = (UniqueConstraint("province_id", "name_norm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    name: Mapped[str] = mapped_column(String(80))
    name_norm: Mapped[str] = mapped_column(String(80))
    population: Mapped[int | None]
    center_lat: Mapped[float | None]
    center_lon: Mapped[float | None]
    census_year: Mapped[int | None]

    province: Mapped[Province] = relationship(back_populates="counties")

    def set_name(self, name: str) -> None:
        self.name = name
        self.name_norm = county_key(name)

    def __repr__(self) -> str:
        return f"<County {self.name_norm}>"


class Locality(Base):
    """A city or village: its census population, its centre and the radius that is "in" it."""

    __tablename__ = "localities"
    __label__ = "شهر یا روستا"
    __table_args__ = (UniqueConstraint("county_id", "name_norm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    type: Mapped[LocalityType] = mapped_column(enum_type(LocalityType))
    name: Mapped[str] = mapped_column(String(100))
    name_norm: Mapped[str] = mapped_column(String(100))
    population: Mapped[int | None]
    census_year: Mapped[int | None]
    lat: Mapped[float]
    lon: Mapped[float]
    radius_m: Mapped[int]

    county: Mapped[County] = relationship()

    def __repr__(self) -> str:
        return f"<Locality {self.name_norm}>"


# The counties an inspector works in (users.id): every site there goes into the tablet's offline data.
user_counties = Table(
    "user_counties",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("county_id", ForeignKey("counties.id"), primary_key=True),
)


class Person(TimestampMixin, VersionMixin, Base):
    """An operator or applicant, identified by a checksum-valid national ID."""

    __tablename__ = "people"
    __label__ = "شخص"
    __audit_exclude__ = ("name_norm",)
    __field_labels__ = {
        "national_id": "کد ملی",
        "first_name": "نام",
        "last_name": "نام خانوادگی",
        "father_name": "نام پدر",
        "birth_date": "تاریخ تولد",
        "mobile": "تلفن همراه",
        "education": "تحصیلات",
        "field_of_study": "رشته تحصیلی",
        "state_employee": "کارمند دولت",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(String(10), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    father_name: Mapped[str | None] = mapped_column(String(80))
    name_norm: Mapped[str] = mapped_column(String(170), index=True)
    birth_date: Mapped[date | None]
    mobile: Mapped[str | None] = mapped_column(String(11))
    education: Mapped[Education | None] = mapped_column(enum_type(Education))
    field_of_study: Mapped[str | None] = mapped_column(String(120))
    # Personal condition of applicants, managing directors, managers and deputies (DOMAIN §1).
    state_employee: Mapped[bool] = mapped_column(default=False, server_default=false())

    sites: Mapped[list[Site]] = relationship(back_populates="operator")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def refresh_search_fields(self) -> None:
        self.name_norm = normalize_for_search(f"{self.first_name} {self.last_name}")

    def __repr__(self) -> str:
        return f"<Person {self.national_id}>"


class HolderType(StrEnum):
    """Who may hold a licence: a natural person (شخص حقیقی) or a company (شخص حقوقی)."""

    NATURAL = "natural"
    LEGAL = "legal"

    @property
    def label(self) -> str:
        return {"natural": "شخص حقیقی", "legal": "شخص حقوقی (شرکت)"}[self.value]


class CompanyRole(StrEnum):
    DIRECTOR = "director"
    SHAREHOLDER = "shareholder"

    @property
    def label(self) -> str:
        return {"director": "عضو هیئت‌مدیره", "shareholder": "سهامدار"}[self.value]


class Company(TimestampMixin, VersionMixin, Base):
    """A legal person (شخص حقوقی) identified by its 11-digit national identifier (شناسه ملی)."""

    __tablename__ = "companies"
    __label__ = "شرکت"
    __audit_exclude__ = ("name_norm",)
    __field_labels__ = {
        "name": "نام شرکت",
        "national_id": "شناسه ملی",
        "registration_number": "شماره ثبت",
        "registered_on": "تاریخ ثبت",
        "registration_office": "محل ثبت",
        "managing_director_id": "مدیرعامل",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(String(200), index=True)
    national_id: Mapped[str] = mapped_column(String(11), unique=True)
    registration_number: Mapped[str] = mapped_column(String(20))
    registered_on: Mapped[date | None]
    registration_office: Mapped[str | None] = mapped_column(String(120))
    managing_director_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)

    managing_director: Mapped[Person] = relationship()
    members: Mapped[list[CompanyMember]] = relationship(
        back_populates="company", order_by="CompanyMember.id", cascade="all, delete-orphan"
    )

    def refresh_search_fields(self) -> None:
        self.name_norm = normalize_for_search(self.name)

    @property
    def full_name(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Company {self.national_id}>"


class CompanyMember(Base):
    """A director or shareholder of record of a company."""

    __tablename__ = "company_members"
    __label__ = "عضو شرکت"
    __table_args__ = (UniqueConstraint("company_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[CompanyRole] = mapped_column(enum_type(CompanyRole))
    share_percent: Mapped[float | None]

    company: Mapped[Company] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<CompanyMember {self.company_id}:{self.person_id} {self.role}>"


class Site(TimestampMixin, VersionMixin, Base):
    """A counter office, rural ICT office, ATM or bank kiosk."""

    __tablename__ = "sites"
    __label__ = "محل"
    __audit_exclude__ = ("name_norm", "address_norm")
    __field_labels__ = {
        "kind": "نوع",
        "code": "کد",
        "name": "نام",
        "county_id": "شهرستان",
        "locality": "شهر یا روستا",
        "locality_type": "نوع آبادی",
        "address": "نشانی",
        "postal_code": "کد پستی",
        "phone": "تلفن",
        "lat": "عرض جغرافیایی",
        "lon": "طول جغرافیایی",
        "status": "وضعیت",
        "status_since": "وضعیت از تاریخ",
        "established_on": "آغاز فعالیت",
        "operator_id": "متصدی",
        "bank": "بانک",
        "terminal_id": "شماره پایانه",
        "host_site_id": "دفتر میزبان",
        "notes": "یادداشت",
    }
    __table_args__ = (
        UniqueConstraint("bank", "terminal_id"),
        Index("ix_sites_kind_status", "kind", "status"),
        Index("ix_sites_county_kind", "county_id", "kind"),
        Index("ix_sites_lat_lon", "lat", "lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(String(200), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    locality: Mapped[str] = mapped_column(String(100))
    locality_type: Mapped[LocalityType] = mapped_column(enum_type(LocalityType))
    address: Mapped[str] = mapped_column(Text)
    address_norm: Mapped[str] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    status: Mapped[SiteStatus] = mapped_column(enum_type(SiteStatus), default=SiteStatus.ACTIVE)
    status_since: Mapped[date | None]
    established_on: Mapped[date | None]
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # ATMs and kiosks: the bank, its terminal id and the office that hosts the device, if any.
    bank: Mapped[str | None] = mapped_column(String(60))
    terminal_id: Mapped[str | None] = mapped_column(String(20))
    host_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    county: Mapped[County] = relationship()
    operator: Mapped[Person | None] = relationship(back_populates="sites")
    host_site: Mapped[Site | None] = relationship(remote_side=[id], back_populates="hosted_sites")
    hosted_sites: Mapped[list[Site]] = relationship(back_populates="host_site")
    status_changes: Mapped[list[SiteStatusChange]] = relationship(
        back_populates="site", order_by="SiteStatusChange.effective_on"
    )

    def refresh_search_fields(self) -> None:
        self.name_norm = normalize_for_search(f"{self.name} {self.code} {self.locality}")
        self.address_norm = normalize_for_search(self.address)

    def __repr__(self) -> str:
        return f"<Site {self.kind} {self.code}>"


class SiteStatusChange(Base):
    """When a site's status changed, and why: the basis of 'active at the end of a period'."""

    __tablename__ = "site_status_changes"
    __label__ = "تغییر وضعیت محل"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[SiteStatus] = mapped_column(enum_type(SiteStatus))
    effective_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site: Mapped[Site] = relationship(back_populates="status_changes")

    def __repr__(self) -> str:
        return f"<SiteStatusChange {self.site_id} {self.status} {self.effective_on}>"
