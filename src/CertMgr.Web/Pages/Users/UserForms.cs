using CertMgr.Core.Common;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace CertMgr.Web.Pages.Users;

/// <summary>Puts a service error on the form: under its fields when it names them (API names map to property names), otherwise above the form.</summary>
internal static class UserForms
{
    public static void AddError(ModelStateDictionary state, Error error)
    {
        if (error.Fields is { Count: > 0 } fields)
        {
            foreach (var (field, messages) in fields)
            {
                foreach (var message in messages)
                {
                    state.AddModelError(field.Length == 0 ? "" : char.ToUpperInvariant(field[0]) + field[1..], message);
                }
            }

            return;
        }

        state.AddModelError("", error.Message);
    }
}
