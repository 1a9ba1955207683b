using Microsoft.Extensions.Options;

namespace Avengers.Server.Configuration;

/// <summary>Hands out the given configuration (an immutable record, so nothing configures it afterwards), validated.</summary>
internal sealed class FixedOptionsFactory<T>(T value, IEnumerable<IValidateOptions<T>> validators) : IOptionsFactory<T> where T : class
{
    public T Create(string name)
    {
        var failures = new List<string>();
        foreach (IValidateOptions<T> validator in validators)
        {
            ValidateOptionsResult result = validator.Validate(name, value);
            if (result.Failed) failures.AddRange(result.Failures ?? [result.FailureMessage]);
        }
        if (failures.Count > 0) throw new OptionsValidationException(name, typeof(T), failures);
        return value;
    }
}
