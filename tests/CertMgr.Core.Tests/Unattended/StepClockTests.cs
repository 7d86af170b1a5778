using CertMgr.Core.Common;

namespace CertMgr.Core.Tests.Unattended;

public sealed class StepClockTests
{
    [Fact]
    public async Task Collect_PartsRecordedBelowLandInTheirOwnCollectionOnly()
    {
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        var second = new Dictionary<string, long>(StringComparer.Ordinal);

        // Two pieces of work at once, as the engine's workers run: neither sees the other's parts.
        await Task.WhenAll(
            Task.Run(async () =>
            {
                using (StepClock.Collect(first))
                {
                    await StepClock.TimeAsync("a", async () => { await Task.Delay(30); return 0; });
                    StepClock.Record("a", TimeSpan.FromMilliseconds(5));
                }

                StepClock.Record("after", TimeSpan.FromMilliseconds(1)); // nobody collects any more
            }),
            Task.Run(async () =>
            {
                using (StepClock.Collect(second))
                {
                    await Task.Yield();
                    StepClock.Record("b", TimeSpan.FromMilliseconds(7));
                }
            }));
        StepClock.Record("outside", TimeSpan.FromMilliseconds(3));

        Assert.Equal(["a"], first.Keys);
        Assert.InRange(first["a"], 30, 5_000);
        Assert.Equal(new Dictionary<string, long> { ["b"] = 7 }, second);
    }

    [Fact]
    public async Task TimeAsync_ActionThrows_TimeStillRecordedAndExceptionPassesThrough()
    {
        var into = new Dictionary<string, long>(StringComparer.Ordinal);
        using (StepClock.Collect(into))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => StepClock.TimeAsync<int>("failing", () => throw new InvalidOperationException("boom")));
        }

        Assert.True(into.ContainsKey("failing"));
    }
}
