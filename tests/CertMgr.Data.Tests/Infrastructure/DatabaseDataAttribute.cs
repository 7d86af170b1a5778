using System.Reflection;
using Xunit.Sdk;

namespace CertMgr.Data.Tests.Infrastructure;

/// <summary>
/// Runs a <c>[Theory]</c> once per real database CertMgr supports (after bitwarden's DatabaseDataAttribute).
/// Neither database is ever skipped: when PostgreSQL cannot be reached the test fails and says why.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class DatabaseDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        Enum.GetValues<DatabaseKind>().Select(kind => new object[] { kind });
}
