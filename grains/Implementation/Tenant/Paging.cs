namespace Nats.OrleansRoutes.Grains.Tenant;

/// <summary>Pages through a sorted set of names.</summary>
internal static class Paging
{
    /// <summary>Most names one page may hold, whatever the caller asks.</summary>
    public const int MaxLimit = 1000;

    public static NamePage Page(IEnumerable<string> names, string? after, int limit)
    {
        if (limit < 1 || limit > MaxLimit)
            throw new ClusterRequestException($"limit {limit} is not between 1 and {MaxLimit}");
        var page = names.Where(n => after is null || string.CompareOrdinal(n, after) > 0).Order(StringComparer.Ordinal).Take(limit + 1).ToList();
        if (page.Count <= limit)
            return new NamePage(page, null);
        page.RemoveAt(limit);
        return new NamePage(page, page[^1]);
    }
}
