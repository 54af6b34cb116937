using Nats.OrleansRoutes.Gateway;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

/// <summary>The gateway turns the runtime's inline socket completions on unless its environment decides.</summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void An_unset_switch_is_turned_on_and_an_operators_setting_is_kept()
    {
        var before = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, "0");
            InlineSocketCompletions.PreferUnlessSet();
            Assert.Equal("0", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
            Assert.False(InlineSocketCompletions.Enabled);

            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, null);
            InlineSocketCompletions.PreferUnlessSet();
            Assert.True(InlineSocketCompletions.Enabled);
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
        }
    }
}
