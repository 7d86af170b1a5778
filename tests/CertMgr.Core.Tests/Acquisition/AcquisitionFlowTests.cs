using CertMgr.Core.Acquisition;
using CertMgr.Core.Acquisition.Backends;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Acquisition;

public sealed class AcquisitionFlowTests
{
    [Theory]
    [InlineData(RequestStatus.Draft, AcquisitionStep.ChooseProduct)]
    [InlineData(RequestStatus.ProductChosen, AcquisitionStep.Poll)]
    [InlineData(RequestStatus.Received, AcquisitionStep.Receive)]
    [InlineData(RequestStatus.Completed, AcquisitionStep.Cancel)]
    [InlineData(RequestStatus.Ordered, AcquisitionStep.Complete)]
    public void Guard_StepOutOfOrder_ConflictWrongStep(RequestStatus status, AcquisitionStep step)
    {
        var refusal = AcquisitionFlow.Guard(status, step);

        Assert.Equal("wrong-step", refusal?.Code);
        Assert.Equal(ErrorKind.Conflict, refusal?.Kind);
    }

    [Fact]
    public void Next_CaOutcome_DecidesWhereSubmitAndPollLead()
    {
        var issued = new CaOutcome.Issued([1], [], CertificateSource.Acme, "x");
        var pending = new CaOutcome.Pending("https://ca.example.test/order/1", TimeSpan.FromSeconds(3), "processing");
        var person = new CaOutcome.Pending(null, null, "order by hand");
        var failed = new CaOutcome.Failed(new Error("ca-refused", "no"));

        Assert.Equal(RequestStatus.Received, AcquisitionFlow.Next(RequestStatus.KeyAndCsrReady, AcquisitionStep.ChooseProduct, issued));
        Assert.Equal(RequestStatus.Ordered, AcquisitionFlow.Next(RequestStatus.KeyAndCsrReady, AcquisitionStep.ChooseProduct, pending));
        Assert.Equal(RequestStatus.ProductChosen, AcquisitionFlow.Next(RequestStatus.KeyAndCsrReady, AcquisitionStep.ChooseProduct, person));
        Assert.Equal(RequestStatus.Received, AcquisitionFlow.Next(RequestStatus.Ordered, AcquisitionStep.Poll, issued));
        Assert.Equal(RequestStatus.Ordered, AcquisitionFlow.Next(RequestStatus.Ordered, AcquisitionStep.Poll, pending));
        Assert.Equal(RequestStatus.Interrupted, AcquisitionFlow.Next(RequestStatus.Ordered, AcquisitionStep.Poll, failed));
    }

    [Fact]
    public void Available_Ordered_PollReceiveRecordOrderAndCancel()
    {
        Assert.Equal([AcquisitionStep.RecordOrder, AcquisitionStep.Poll, AcquisitionStep.Receive, AcquisitionStep.Cancel], AcquisitionFlow.Available(RequestStatus.Ordered));
        Assert.Empty(AcquisitionFlow.Available(RequestStatus.Cancelled));
    }
}
