using Newtonsoft.Json;
using Trading.Domain.Instruments;

namespace Trading.Runtime.Persistence;

/// <summary>
/// Journal serialisation of <see cref="Symbol"/> (Akka's default serializer is Newtonsoft JSON): the canonical text
/// <c>600000.SH</c>, also as a dictionary key. Registered in hocon/base.conf.
/// </summary>
public sealed class SymbolJsonConverter : JsonConverter<Symbol>
{
    public override void WriteJson(JsonWriter writer, Symbol value, JsonSerializer serializer) => writer.WriteValue(value.ToString());

    public override Symbol ReadJson(JsonReader reader, Type objectType, Symbol existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        reader.Value is string s ? Symbol.Parse(s) : throw new JsonSerializationException($"Expected a symbol string at {reader.Path}.");
}
