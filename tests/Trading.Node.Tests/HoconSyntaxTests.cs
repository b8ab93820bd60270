using Trading.Runtime.Configuration;

namespace Trading.Node.Tests;

public class HoconSyntaxTests
{
    [Theory]
    [InlineData("a { b = 1 }")]
    [InlineData("a { b = \"}\" } # { comment\n// [ another\nc = [1, 2]")]
    [InlineData("a = \"\"\"multi { [\nline\"\"\"")]
    [InlineData("a = \"esc \\\" }\"")]
    [InlineData("")]
    public void Sound_structure_passes(string text) => Assert.Null(HoconSyntax.Check(text));

    [Theory]
    [InlineData("a { b = 1", "line 1, column 3: '{' is never closed")]
    [InlineData("a = [1, 2 }", "line 1, column 11: '}' does not match '[' opened at line 1, column 5")]
    [InlineData("a = 1 }", "line 1, column 7: '}' closes nothing")]
    [InlineData("a = \"open\nb = 2", "line 1, column 5: unterminated string")]
    [InlineData("a = \"\"\"never", "line 1, column 5: unterminated \"\"\" string")]
    public void Broken_structure_is_located(string text, string expected) => Assert.Equal(expected, HoconSyntax.Check(text));
}
