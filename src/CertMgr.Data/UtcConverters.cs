using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CertMgr.Data;

/// <summary>
/// SQLite has no date type: a time is stored as its UTC ticks in an INTEGER, so that it sorts and compares by
/// instant in SQL and keeps its full precision. It is read back in UTC.
/// </summary>
internal sealed class UtcTicksConverter()
    : ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

/// <summary>
/// PostgreSQL's <c>timestamptz</c> holds an instant and Npgsql refuses any offset but zero: times are turned into
/// UTC on the way in (values and query parameters alike), so a certificate's local-time NotAfter can be stored.
/// </summary>
internal sealed class UtcDateTimeOffsetConverter()
    : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
