-- The MetricFlow time spine: one row per day, 2000-01-01 to 2050-12-31 (18,628 days), wider than
-- any modelling window. The semantic layer (models/semantic/) aggregates metrics over it by day,
-- week, month, quarter or year (`metric_time`). dbt's cross-database generate_series and dateadd
-- write it for DuckDB and Snowflake alike without querying the warehouse at compile time
-- (dbt.date_spine runs a query to count the days; tests/e2e/test_snowflake_compile.py compiles
-- without introspection).
with day_numbers as (
    {{ dbt.generate_series(18628) }}
),

final as (
    select cast({{ dbt.dateadd('day', 'generated_number - 1', "cast('2000-01-01' as date)") }} as date) as date_day
    from day_numbers
)

select * from final
