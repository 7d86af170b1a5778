using CertMgr.Core.Common;
using CertMgr.Web.Api;
using Microsoft.AspNetCore.Http;

namespace CertMgr.Web.Tests.Api;

/// <summary>The one Error → problem details mapping.</summary>
public sealed class ApiRoutesTests
{
    [Theory]
    [InlineData(ErrorKind.Validation, StatusCodes.Status400BadRequest)]
    [InlineData(ErrorKind.NotFound, StatusCodes.Status404NotFound)]
    [InlineData(ErrorKind.Conflict, StatusCodes.Status409Conflict)]
    [InlineData(ErrorKind.Forbidden, StatusCodes.Status403Forbidden)]
    [InlineData(ErrorKind.Unavailable, StatusCodes.Status503ServiceUnavailable)]
    [InlineData(ErrorKind.TooLarge, StatusCodes.Status413PayloadTooLarge)]
    public void Problem_Kind_StatusCodeAndTypeFromTheError(ErrorKind kind, int status)
    {
        var problem = ApiRoutes.Problem(new Error("thing-wrong", "The thing is wrong.", kind));

        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(status, problem.ProblemDetails.Status);
        Assert.Equal("The thing is wrong.", problem.ProblemDetails.Title);
        Assert.Equal("https://certmgr.dev/problems/thing-wrong", problem.ProblemDetails.Type);
        Assert.Equal("thing-wrong", problem.ProblemDetails.Extensions["code"]);
        Assert.False(problem.ProblemDetails.Extensions.ContainsKey("errors"));
    }

    [Fact]
    public void Problem_FieldErrors_ErrorsExtensionWithCamelCaseKeys()
    {
        var error = Error.Invalid("definition-invalid", "2 fields are invalid.", new Dictionary<string, string[]>
        {
            ["CommonName"] = ["The common name is missing."],
            ["Port"] = ["The port must be 1 to 65535."],
        });

        var problem = ApiRoutes.Problem(error);

        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        var errors = Assert.IsType<Dictionary<string, string[]>>(problem.ProblemDetails.Extensions["errors"]);
        Assert.Equal(["commonName", "port"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["The port must be 1 to 65535."], errors["port"]);
    }

    [Fact]
    public void UnsupportedMediaType_AnyKind_415()
    {
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, ApiRoutes.UnsupportedMediaType(new Error("multipart-required", "Send multipart.")).StatusCode);
    }
}
