using Nats.OrleansRoutes.Config.Conf;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

/// <summary>The grammar, value typing, variables and positions of the reader.</summary>
public sealed class ConfReaderTests
{
    private static ConfMap Read(string text, Func<string, string?>? environment = null)
    {
        var result = ConfReader.ReadText(text, "t.conf", new ConfReaderOptions { Environment = environment ?? (_ => null) });
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return result.Root!;
    }

    private static ConfDiagnostic Fail(string text)
    {
        var result = ConfReader.ReadText(text, "t.conf", new ConfReaderOptions { Environment = _ => null });
        Assert.Null(result.Root);
        return Assert.Single(result.Diagnostics);
    }

    [Theory]
    [InlineData("a = 1", "a")]
    [InlineData("a: 1", "a")]
    [InlineData("a 1", "a")]
    [InlineData("a=1;", "a")]
    [InlineData("{ a: 1 }", "a")]
    [InlineData("\"a b\": 1", "a b")]
    public void Separators_and_keys(string text, string key) =>
        Assert.Equal(1L, Assert.IsType<ConfInteger>(Read(text).Find(key)!.Value).Value);

    [Theory]
    [InlineData("x: 1k", 1000L)]
    [InlineData("x: 1kb", 1024L)]
    [InlineData("x: 2MB", 2097152L)]
    [InlineData("x: 1G", 1000000000L)]
    [InlineData("x: -5k", -5000L)]
    [InlineData("x: 007", 7L)]
    public void Integers_with_size_suffixes(string text, long value) =>
        Assert.Equal(value, Assert.IsType<ConfInteger>(Read(text).Find("x")!.Value).Value);

    [Theory]
    [InlineData("x: 10s", "10s")]
    [InlineData("x: 127.0.0.1:4222", "127.0.0.1:4222")]
    [InlineData("x: 1e5", "1e5")]
    [InlineData("x: '$notvar'", "$notvar")]
    [InlineData("x: \"a\\tb\\x41\"", "a\tbA")]
    [InlineData("x: 'raw\\q'", "raw\\q")]
    [InlineData("x: nats-route://u:p@h:1", "nats-route://u:p@h:1")]
    [InlineData("x: $2a$11$abc", "$2a$11$abc")]
    public void Strings(string text, string value) =>
        Assert.Equal(value, Assert.IsType<ConfString>(Read(text).Find("x")!.Value).Value);

    [Theory]
    [InlineData("yes", true)]
    [InlineData("ON", true)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    public void Booleans(string word, bool value) =>
        Assert.Equal(value, Assert.IsType<ConfBool>(Read($"x: {word}").Find("x")!.Value).Value);

    [Fact]
    public void Block_strings_keep_their_newlines() =>
        Assert.Equal("\nline one\nline two\n", Assert.IsType<ConfString>(Read("x: (\nline one\nline two\n)\n").Find("x")!.Value).Value);

    [Fact]
    public void Comments_everywhere()
    {
        var root = Read("# top\na: [1 # one\n 2 // two\n]\nb { // in map\n c: 3 # after\n}\n");
        Assert.Equal(2, Assert.IsType<ConfArray>(root.Find("a")!.Value).Items.Count);
        Assert.Equal(3L, Assert.IsType<ConfInteger>(Assert.IsType<ConfMap>(root.Find("b")!.Value).Find("c")!.Value).Value);
    }

    [Fact]
    public void Variables_resolve_innermost_first_then_the_environment()
    {
        var root = Read("p: 1\nm { p: 2, a: $p }\nb: $p\ne: $ENV_PORT\n", n => n == "ENV_PORT" ? "6222" : null);
        Assert.Equal(2L, ((ConfInteger)((ConfMap)root.Find("m")!.Value).Find("a")!.Value).Value);
        Assert.Equal(1L, ((ConfInteger)root.Find("b")!.Value).Value);
        // An environment value is itself read as a value: 6222 is an integer.
        Assert.Equal(6222L, ((ConfInteger)root.Find("e")!.Value).Value);
        Assert.True(root.Find("p")!.UsedAsVariable);
    }

    [Fact]
    public void A_missing_variable_names_its_line() =>
        Assert.Equal("variable reference for 'NOPE' on line 2 can not be found", Fail("a: 1\nb: $NOPE\n").Message);

    [Fact]
    public void Map_values_take_their_keys_position_array_items_keep_their_own()
    {
        var root = Read("a: 1\ncluster {\n  name:   x\n  routes: [\n    r1\n  ]\n}\n");
        var cluster = (ConfMap)root.Find("cluster")!.Value;
        Assert.Equal(new SourceLocation("t.conf", 3, 3), cluster.Find("name")!.Value.Location);
        Assert.Equal(5, ((ConfArray)cluster.Find("routes")!.Value).Items[0].Location.Line);
        Assert.Equal(new SourceLocation("t.conf", 1, 1), root.Find("a")!.KeyLocation);
    }

    [Theory]
    [InlineData("cluster {\n  name: x\n", 3, "Unexpected EOF processing map.")]
    [InlineData("a =\nb: 1\n", 2, "Expected value but found new line")]
    [InlineData("a: \"C\\q\"\n", 1, "Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.")]
    [InlineData("a: 1 b\n", 1, "Expected a top-level value to end with a new line, comment or EOF, but got 'b' instead.")]
    public void Lexical_errors_name_the_line_nats_server_names(string text, int line, string message)
    {
        var error = Fail(text);
        Assert.Equal(message, error.Message);
        Assert.Equal(line, error.Location!.Value.Line);
    }

    [Fact]
    public void Includes_are_read_relative_to_the_including_file()
    {
        var dir = Directory.CreateTempSubdirectory("conf-include");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "main.conf"), "cluster {\n  include 'inc/auth.conf'\n}\n");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "inc"));
            File.WriteAllText(Path.Combine(dir.FullName, "inc", "auth.conf"), "name: C1\n");
            var result = ConfReader.ReadFile(Path.Combine(dir.FullName, "main.conf"));
            var name = ((ConfMap)result.Root!.Find("cluster")!.Value).Find("name")!;
            Assert.Equal("C1", ((ConfString)name.Value).Value);
            Assert.Equal(Path.Combine(dir.FullName, "inc", "auth.conf"), name.KeyLocation.File);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_include_cycle_is_an_error_not_a_crash()
    {
        var dir = Directory.CreateTempSubdirectory("conf-cycle");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "a.conf"), "include b.conf\n");
            File.WriteAllText(Path.Combine(dir.FullName, "b.conf"), "include a.conf\n");
            var result = ConfReader.ReadFile(Path.Combine(dir.FullName, "a.conf"));
            Assert.Null(result.Root);
            Assert.Contains("nested more than", result.Diagnostics[0].Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
