using CertMgr.Core.Tests.Acquisition;
using CertMgr.Core.Tests.Catalog;
using CertMgr.Core.Tests.Deployments;
using CertMgr.Core.Tests.Inventory;
using CertMgr.Core.Tests.Monitoring;
using CertMgr.Core.Tests.Pki.Reading;
using CertMgr.Core.Tests.PrivateCa;
using CertMgr.Core.Tests.Security;
using CertMgr.Core.Tests.TrustedCas;

// The services and list queries again on PostgreSQL: every test of each class below runs a second time with its
// CoreFixture on a fresh database of the tests' PostgreSQL server (CERTMGR_TEST_PG or a private cluster).
namespace CertMgr.Core.Tests.OnPostgres;

public sealed class AcquisitionServiceOnPostgresTests : AcquisitionServiceTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class AcquisitionQueriesOnPostgresTests : AcquisitionQueriesTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class DeploymentServiceOnPostgresTests : DeploymentServiceTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class DefinitionServiceOnPostgresTests : DefinitionServiceTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class ImportServiceOnPostgresTests(PkiFiles files) : ImportServiceTests(files)
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class MonitorServiceOnPostgresTests : MonitorServiceTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class TrustedCaSetsOnPostgresTests : TrustedCaSetsTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class CaIssuanceOnPostgresTests : CaIssuanceTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class UserAccountsOnPostgresTests : UserAccountsTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class ProductCatalogOnPostgresTests : ProductCatalogTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class UnattendedLeasesOnPostgresTests : Unattended.UnattendedLeasesTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class UnattendedEngineOnPostgresTests : Unattended.UnattendedEngineTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class NotificationEmailsOnPostgresTests : CertMgr.Core.Tests.Notifications.NotificationEmailsTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
