#include "gatehouse/store/store.hpp"
#include "gatehouse/util/metrics.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::store {
namespace {

class MeasuredStore final : public Store {
  public:
    explicit MeasuredStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

    Status read(const std::function<Status(Transaction&)>& work) override {
        return measured("read", [&] { return inner_->read(work); });
    }

    Status write(const std::function<Status(Transaction&)>& work) override {
        return measured("write", [&] { return inner_->write(work); });
    }

    int schema_version() const override { return inner_->schema_version(); }

  private:
    template <typename Run>
    static Status measured(std::string_view kind, Run run) {
        const double started_ms = util::monotonic_ms();
        const auto seconds = [started_ms] { return (util::monotonic_ms() - started_ms) / 1000; };
        try {
            Status status = run();
            util::metrics::observe_store_transaction(kind, status.ok(), seconds());
            return status;
        } catch (...) {
            util::metrics::observe_store_transaction(kind, false, seconds());
            throw;
        }
    }

    std::unique_ptr<Store> inner_;
};

}  // namespace

std::unique_ptr<Store> with_transaction_metrics(std::unique_ptr<Store> store) {
    return std::make_unique<MeasuredStore>(std::move(store));
}

}  // namespace gatehouse::store
