using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Http;

namespace CertMgr.Web.Tests.Console;

public sealed class HtmxTests
{
    private static HttpRequest Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }

    [Fact]
    public void IsFragmentRequestFor_HtmxRequestForTarget_True()
    {
        Assert.True(Request(("HX-Request", "true"), ("HX-Target", "list")).IsFragmentRequestFor("list"));
    }

    [Fact]
    public void IsFragmentRequestFor_PlainRequest_False()
    {
        Assert.False(Request().IsFragmentRequestFor("list"));
    }

    [Fact]
    public void IsFragmentRequestFor_OtherTarget_False()
    {
        Assert.False(Request(("HX-Request", "true"), ("HX-Target", "other")).IsFragmentRequestFor("list"));
    }

    [Fact]
    public void IsFragmentRequestFor_HistoryRestore_False()
    {
        var request = Request(("HX-Request", "true"), ("HX-Target", "list"), ("HX-History-Restore-Request", "true"));

        Assert.False(request.IsFragmentRequestFor("list"));
    }

    [Fact]
    public void VaryOnHtmx_AddsVaryHeaders()
    {
        var context = new DefaultHttpContext();

        context.Response.VaryOnHtmx();

        Assert.Equal("HX-Request,HX-Target", context.Response.Headers.Vary.ToString());
    }
}
