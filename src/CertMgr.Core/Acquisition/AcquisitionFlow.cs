using CertMgr.Core.Acquisition.Backends;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Acquisition;

/// <summary>The steps a person, the API or the unattended engine can take on an acquisition process (guide 4.3.2).</summary>
public enum AcquisitionStep
{
    ChooseKey,
    ChooseProduct,
    RecordOrder,
    Poll,
    Receive,
    Complete,
    Cancel,
}

/// <summary>
/// The acquisition state machine as plain rules: Draft → KeyAndCsrReady → (choose product = submit to the product's
/// CA backend) → Received when the CA issues at once, Ordered when an automatable CA has the order pending (then Poll
/// until Received, or Interrupted when the CA fails it), ProductChosen when a person must order by hand (then
/// RecordOrder → Ordered, Receive → Received) → Complete. Interrupted waits for a person: choose the product again
/// (resubmit), receive by hand, or cancel. Any open process can be cancelled.
/// </summary>
public static class AcquisitionFlow
{
    /// <summary>The statuses of a process still going on.</summary>
    public static readonly RequestStatus[] OpenStatuses =
        [RequestStatus.Draft, RequestStatus.KeyAndCsrReady, RequestStatus.ProductChosen, RequestStatus.Ordered, RequestStatus.Received, RequestStatus.Interrupted];

    public static bool IsOpen(RequestStatus status) => OpenStatuses.Contains(status);

    /// <summary>The statuses a step may start from.</summary>
    public static IReadOnlyList<RequestStatus> AllowedFrom(AcquisitionStep step) => step switch
    {
        AcquisitionStep.ChooseKey => [RequestStatus.Draft, RequestStatus.KeyAndCsrReady],
        AcquisitionStep.ChooseProduct => [RequestStatus.KeyAndCsrReady, RequestStatus.ProductChosen, RequestStatus.Interrupted],
        AcquisitionStep.RecordOrder => [RequestStatus.ProductChosen, RequestStatus.Ordered],
        AcquisitionStep.Poll => [RequestStatus.Ordered],
        AcquisitionStep.Receive => [RequestStatus.ProductChosen, RequestStatus.Ordered, RequestStatus.Interrupted],
        AcquisitionStep.Complete => [RequestStatus.Received],
        AcquisitionStep.Cancel => OpenStatuses,
        _ => [],
    };

    /// <summary>Null when <paramref name="step"/> may be taken now, else why not (a conflict).</summary>
    public static Error? Guard(RequestStatus status, AcquisitionStep step)
    {
        if (AllowedFrom(step).Contains(status))
        {
            return null;
        }

        return step == AcquisitionStep.Cancel
            ? Error.Conflict("wrong-step", $"The acquisition is already {status}; it cannot be cancelled.")
            : Error.Conflict("wrong-step", $"Cannot {Describe(step)} now: the acquisition is {status} (allowed when {string.Join(" or ", AllowedFrom(step))}).");
    }

    /// <summary>The steps that may be taken now (Poll only when the CA has an order pending).</summary>
    public static IReadOnlyList<AcquisitionStep> Available(RequestStatus status) =>
        [.. Enum.GetValues<AcquisitionStep>().Where(s => Guard(status, s) is null)];

    /// <summary>The status a step leads to; submitting and polling lead where the CA's answer says.</summary>
    public static RequestStatus Next(RequestStatus current, AcquisitionStep step, CaOutcome? outcome = null) => (step, outcome) switch
    {
        (AcquisitionStep.ChooseKey, _) => RequestStatus.KeyAndCsrReady,
        (AcquisitionStep.ChooseProduct or AcquisitionStep.Poll, CaOutcome.Issued) => RequestStatus.Received,
        (AcquisitionStep.ChooseProduct or AcquisitionStep.Poll, CaOutcome.Pending { NeedsPerson: true }) => RequestStatus.ProductChosen,
        (AcquisitionStep.ChooseProduct or AcquisitionStep.Poll, CaOutcome.Pending) => RequestStatus.Ordered,
        (AcquisitionStep.Poll, CaOutcome.Failed) => RequestStatus.Interrupted,
        (AcquisitionStep.RecordOrder, _) => RequestStatus.Ordered,
        (AcquisitionStep.Receive, _) => RequestStatus.Received,
        (AcquisitionStep.Complete, _) => RequestStatus.Completed,
        (AcquisitionStep.Cancel, _) => RequestStatus.Cancelled,
        _ => current,
    };

    public static string Describe(AcquisitionStep step) => step switch
    {
        AcquisitionStep.ChooseKey => "choose the key",
        AcquisitionStep.ChooseProduct => "choose the product",
        AcquisitionStep.RecordOrder => "record the order",
        AcquisitionStep.Poll => "ask the CA for the certificate",
        AcquisitionStep.Receive => "receive the certificate",
        AcquisitionStep.Complete => "switch to the new certificate",
        AcquisitionStep.Cancel => "cancel",
        _ => step.ToString(),
    };
}
